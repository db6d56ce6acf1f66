/**
 * Cost Explorer amounts are decimal strings with up to 10 fraction digits. They are converted to whole cents by
 * rounding half away from zero on the digits themselves, never through binary floating point.
 */
export function decimalToCents(amount: string): number {
  const match = /^(-)?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(amount.trim());
  if (!match) throw new Error(`"${amount}" is not a decimal amount`);
  if (match[4] !== undefined) return decimalToCents(Number(amount).toFixed(10));
  const negative = match[1] === '-';
  const whole = Number(match[2] || '0');
  const fraction = (match[3] ?? '').padEnd(3, '0');
  let cents = whole * 100 + Number(fraction.slice(0, 2));
  if (Number(fraction[2]) >= 5) cents += 1;
  return negative && cents !== 0 ? -cents : cents;
}

/** `1234` → `12.34`, `-5` → `-0.05`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
