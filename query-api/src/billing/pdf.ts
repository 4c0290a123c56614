import PDFDocument from 'pdfkit';

export interface InvoiceDocument {
  readonly companyName: string;
  readonly number: string;
  readonly status: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly issuedAt: string;
  readonly lines: readonly {
    readonly description: string;
    readonly quantity: number;
    readonly amountCents: number;
  }[];
  readonly totalCents: number;
  readonly amountDueCents: number;
  readonly amountPaidCents: number;
}

/** Cents as dollars, with the sign in front: `-$1,234.50`. */
export const usd = (cents: number): string =>
  `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })}`;

const day = (iso: string): string => iso.slice(0, 10);

/** The period as people read it: the end is exclusive in the data, so the last day shown is the one before. */
const periodText = (start: string, end: string): string =>
  `${day(start)} to ${day(new Date(Date.parse(end) - 1).toISOString())}`;

/**
 * A ledger invoice as a PDF: who is billed, the number, the period, each line and the total. Stripe's invoices
 * come with Stripe's own PDF; the platform renders only the ones it issued itself.
 */
export const renderInvoicePdf = (invoice: InvoiceDocument): Promise<Buffer> =>
  new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `Invoice ${invoice.number}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('error', reject);
    doc.on('end', () => resolve(Buffer.concat(chunks)));

    doc.font('Helvetica-Bold').fontSize(20).text('Invoice');
    doc.moveDown(0.5).font('Helvetica').fontSize(10);
    doc.text(`Number: ${invoice.number}`);
    doc.text(`Billed to: ${invoice.companyName}`);
    doc.text(`Period: ${periodText(invoice.periodStart, invoice.periodEnd)} (UTC)`);
    doc.text(`Issued: ${day(invoice.issuedAt)}`);
    doc.text(`Status: ${invoice.status}`);
    doc.moveDown();

    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    const columns = [
      { title: 'Description', width: width * 0.6, align: 'left' as const },
      { title: 'Quantity', width: width * 0.2, align: 'right' as const },
      { title: 'Amount', width: width * 0.2, align: 'right' as const },
    ];
    const row = (cells: readonly string[], bold: boolean) => {
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
      let x = left;
      let bottom = y;
      cells.forEach((cell, n) => {
        const column = columns[n];
        if (column === undefined) return;
        doc.text(cell, x, y, { width: column.width - 6, align: column.align });
        bottom = Math.max(bottom, doc.y);
        x += column.width;
      });
      doc.x = left;
      doc.y = bottom + 4;
    };
    row(
      columns.map((c) => c.title),
      true,
    );
    if (invoice.lines.length === 0) row(['Nothing to bill this period.', '', usd(0)], false);
    for (const line of invoice.lines) {
      row([line.description, line.quantity.toLocaleString('en-US'), usd(line.amountCents)], false);
    }
    doc.moveDown();
    row(['Total', '', usd(invoice.totalCents)], true);
    row(['Paid', '', usd(invoice.amountPaidCents)], false);
    row(['Balance due', '', usd(Math.max(0, invoice.amountDueCents - invoice.amountPaidCents))], true);
    doc.end();
  });
