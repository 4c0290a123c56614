/** A chart's figures as text ("name: value; …"), the accessible label of the chart's canvas. */
export const chartText = (pairs: readonly (readonly [string, number])[]): string =>
  pairs.map(([name, value]) => `${name}: ${value}`).join('; ');
