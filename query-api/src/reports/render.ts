import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { stringify } from 'csv-stringify/sync';
import { SPREADSHEET_SAFE } from '../export/csv.js';
import { wallClockAt } from '@ccp/schemas';
import type { Cell, ReportTable } from './tables.js';

export type ReportFormat = 'csv' | 'pdf' | 'json';

export interface RenderedReport {
  readonly filename: string;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface ReportDocument {
  readonly tenantName: string;
  readonly reportName: string;
  readonly range: { readonly from: Date; readonly to: Date };
  readonly timeZone: string;
  readonly generatedAt: Date;
  readonly table: ReportTable;
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'report';

const pad = (n: number): string => String(n).padStart(2, '0');
const localDate = (instant: Date, timeZone: string): string => {
  const w = wallClockAt(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
};
const localTime = (instant: Date, timeZone: string): string => {
  const w = wallClockAt(instant, timeZone);
  return `${localDate(instant, timeZone)} ${pad(w.hour)}:${pad(w.minute)}`;
};

/** Rates are 0..1 in the data; a reader wants a percentage, and long decimals help nobody. */
const formatCell = (column: string, value: Cell): string => {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  if (/rate$/.test(column)) return `${(value * 100).toFixed(1)} %`;
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
};

/** The table's chart as SVG, drawn by Vega-Lite on the server (no browser, no native canvas). */
export const chartSvg = async (table: ReportTable): Promise<string | undefined> => {
  const chart = table.chart;
  const rows = chart?.rows ?? table.rows;
  if (!chart || rows.length === 0) return undefined;
  const xIndex = chart.rows ? 0 : table.columns.indexOf(chart.x);
  const values = rows.flatMap((row) =>
    chart.y.map((series, n) => ({
      x: String(row[xIndex] ?? ''),
      series,
      y: Number(row[chart.rows ? n + 1 : table.columns.indexOf(series)] ?? 0),
    })),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 460,
    height: 200,
    data: { values },
    mark: chart.kind === 'line' ? { type: 'line', point: true } : { type: 'bar' },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: chart.x, sort: null },
      y: { field: 'y', type: 'quantitative', title: chart.y.length === 1 ? chart.y[0] : '' },
      color: { field: 'series', type: 'nominal', title: null },
      ...(chart.kind === 'bar' && chart.y.length > 1 && { xOffset: { field: 'series' } }),
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
};

const pdf = async (doc: ReportDocument): Promise<Buffer> => {
  const svg = await chartSvg(doc.table);
  const pdfDoc = new PDFDocument({
    size: 'A4',
    margin: 48,
    bufferPages: true,
    info: { Title: doc.reportName },
  });
  const chunks: Buffer[] = [];
  pdfDoc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => pdfDoc.on('end', () => resolve(Buffer.concat(chunks))));

  pdfDoc.fontSize(18).text(doc.reportName);
  pdfDoc.moveDown(0.3).fontSize(10).fillColor('#444');
  pdfDoc.text(`${doc.tenantName} · ${doc.table.title}`);
  pdfDoc.text(
    `From ${localTime(doc.range.from, doc.timeZone)} to ${localTime(doc.range.to, doc.timeZone)} (${doc.timeZone}) · ` +
      `generated ${localTime(doc.generatedAt, doc.timeZone)}`,
  );
  pdfDoc.fillColor('#000').moveDown();
  if (svg !== undefined) {
    SVGtoPDF(pdfDoc, svg, pdfDoc.x, pdfDoc.y, {
      width: 500,
      height: 240,
      preserveAspectRatio: 'xMinYMin meet',
    });
    pdfDoc.y += 250;
  }

  // The table: equal columns, a header row repeated on every page.
  const { columns, rows } = doc.table;
  const left = pdfDoc.page.margins.left;
  const width = pdfDoc.page.width - left - pdfDoc.page.margins.right;
  const columnWidth = width / Math.max(1, columns.length);
  const rowHeight = 16;
  const bottom = () => pdfDoc.page.height - pdfDoc.page.margins.bottom - rowHeight;
  const drawRow = (cells: readonly string[], bold: boolean) => {
    const y = pdfDoc.y;
    pdfDoc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, n) =>
      pdfDoc.text(cell, left + n * columnWidth, y, {
        width: columnWidth - 4,
        height: rowHeight,
        ellipsis: true,
      }),
    );
    pdfDoc.y = y + rowHeight;
  };
  const body =
    rows.length === 0
      ? [['No calls in this period.']]
      : rows.map((row) => row.map((cell, n) => formatCell(columns[n] ?? '', cell)));
  if (pdfDoc.y > bottom() - rowHeight) pdfDoc.addPage();
  drawRow(columns, true);
  for (const cells of body) {
    // A row that does not fit starts a new page, under the header again.
    if (pdfDoc.y > bottom()) {
      pdfDoc.addPage();
      drawRow(columns, true);
    }
    drawRow(cells, false);
  }

  const pages = pdfDoc.bufferedPageRange();
  for (let i = 0; i < pages.count; i += 1) {
    pdfDoc.switchToPage(pages.start + i);
    // Text below the bottom margin would make pdfkit open a new page: the footer writes into the margin.
    const margin = pdfDoc.page.margins.bottom;
    pdfDoc.page.margins.bottom = 0;
    pdfDoc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#666')
      .text(`Page ${i + 1} of ${pages.count}`, left, pdfDoc.page.height - margin + 12, {
        width,
        align: 'right',
        lineBreak: false,
      });
    pdfDoc.page.margins.bottom = margin;
  }
  pdfDoc.end();
  return done;
};

/** A report as a file: CSV (the table), JSON (the table with its context) or PDF (chart and table). */
export const renderReport = async (doc: ReportDocument, format: ReportFormat): Promise<RenderedReport> => {
  const base = `${slug(doc.reportName)}-${localDate(doc.generatedAt, doc.timeZone)}`;
  switch (format) {
    case 'csv':
      return {
        filename: `${base}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: Buffer.from(
          stringify([doc.table.columns, ...doc.table.rows.map((r) => [...r])], SPREADSHEET_SAFE),
        ),
      };
    case 'json':
      return {
        filename: `${base}.json`,
        contentType: 'application/json',
        body: Buffer.from(
          JSON.stringify({
            report: doc.reportName,
            title: doc.table.title,
            tenant: doc.tenantName,
            range: { from: doc.range.from.toISOString(), to: doc.range.to.toISOString() },
            timeZone: doc.timeZone,
            generatedAt: doc.generatedAt.toISOString(),
            columns: doc.table.columns,
            rows: doc.table.rows,
          }),
        ),
      };
    case 'pdf':
      return { filename: `${base}.pdf`, contentType: 'application/pdf', body: await pdf(doc) };
  }
};
