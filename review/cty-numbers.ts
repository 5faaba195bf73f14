/**
 * Numbers cty writes as decimal strings: those neither an int64 nor exactly a float64 (it writes
 * the others as msgpack numbers). Whether a string could be one, and the double JSON.parse makes of
 * what show prints for one.
 */

/** cty writes a number as a string only in this form (Go's big.Float Text('f', -1)). */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A number cty wrote as a string, as JSON.parse reads what show prints for it. Show prints the
 * shortest decimal of the value parsed at 512 bits (~154 digits): with at most 100 significant digits
 * that is the same decimal, so the same double.
 */
export function preciseNumber(text: string): number | undefined {
  const match = DECIMAL.exec(text);
  const digits = match ? `${match[2]}${match[3] ?? ""}`.replace(/^0+/, "").replace(/0+$/, "") : "";
  return match && digits.length <= 100 ? Number(text) : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Whether cty could have written a number as this string: it does only for a number that is neither
 * an int64 nor exactly a float64 (either of which it writes as a msgpack number).
 */
export function couldBePreciseNumber(text: string): boolean {
  const match = DECIMAL.exec(text);
  if (!match) return false;
  const fraction = match[3] ?? "";
  const scaled = BigInt(`${match[2]}${fraction}`);
  const scale = 10n ** BigInt(fraction.length);
  if (scaled % scale === 0n) {
    const integer = (match[1] ? -1n : 1n) * (scaled / scale);
    if (integer >= INT64_MIN && integer <= INT64_MAX) return false;
  }
  return !isExactDouble(scaled, fraction.length);
}

/** Whether scaled / 10^decimals is exactly a float64. */
function isExactDouble(scaled: bigint, decimals: number): boolean {
  if (scaled === 0n) return true;
  const fives = 5n ** BigInt(decimals);
  if (scaled % fives !== 0n) return false;
  let odd = scaled / fives;
  let exponent = -decimals;
  while ((odd & 1n) === 0n) {
    odd >>= 1n;
    exponent += 1;
  }
  const bits = odd.toString(2).length;
  return bits <= 53 && exponent >= -1074 && bits + exponent <= 1024;
}
