/** Minimal complex arithmetic in float64 for evaluation at random points. */
export interface Complex {
  re: number;
  im: number;
}

export const c = (re: number, im = 0): Complex => ({ re, im });
export const cadd = (a: Complex, b: Complex): Complex => c(a.re + b.re, a.im + b.im);
export const csub = (a: Complex, b: Complex): Complex => c(a.re - b.re, a.im - b.im);
export const cmul = (a: Complex, b: Complex): Complex => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export function cdiv(a: Complex, b: Complex): Complex {
  if (b.im === 0) return c(a.re / b.re, a.im / b.re);
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
export const cneg = (a: Complex): Complex => c(-a.re, -a.im);
export const cabs = (a: Complex): number => Math.hypot(a.re, a.im);
export const isFiniteC = (a: Complex): boolean => Number.isFinite(a.re) && Number.isFinite(a.im);

export function cexp(a: Complex): Complex {
  const r = Math.exp(a.re);
  return a.im === 0 ? c(r) : c(r * Math.cos(a.im), r * Math.sin(a.im));
}
export function clog(a: Complex): Complex {
  if (a.im === 0 && a.re > 0) return c(Math.log(a.re));
  return c(Math.log(cabs(a)), Math.atan2(a.im, a.re));
}
export function csqrt(a: Complex): Complex {
  if (a.im === 0) return a.re >= 0 ? c(Math.sqrt(a.re)) : c(0, Math.sqrt(-a.re));
  const r = cabs(a);
  const re = Math.sqrt((r + a.re) / 2);
  const im = Math.sign(a.im) * Math.sqrt((r - a.re) / 2);
  return c(re, im);
}
export function cpow(a: Complex, b: Complex): Complex {
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let k = Math.abs(b.re);
    let base = a;
    let r = c(1);
    while (k > 0) {
      if (k & 1) r = cmul(r, base);
      base = cmul(base, base);
      k >>= 1;
    }
    return b.re < 0 ? cdiv(c(1), r) : r;
  }
  if (a.im === 0 && b.im === 0 && a.re >= 0) return c(a.re ** b.re);
  if (a.re === 0 && a.im === 0) return b.re > 0 ? c(0) : c(Number.NaN);
  return cexp(cmul(b, clog(a)));
}
export function csin(a: Complex): Complex {
  return a.im === 0 ? c(Math.sin(a.re)) : c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
}
export function ccos(a: Complex): Complex {
  return a.im === 0 ? c(Math.cos(a.re)) : c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
}
const I = c(0, 1);
export function casin(a: Complex): Complex {
  if (a.im === 0 && Math.abs(a.re) <= 1) return c(Math.asin(a.re));
  // -i log(iz + sqrt(1 - z^2))
  return cmul(cneg(I), clog(cadd(cmul(I, a), csqrt(csub(c(1), cmul(a, a))))));
}
export function cacos(a: Complex): Complex {
  if (a.im === 0 && Math.abs(a.re) <= 1) return c(Math.acos(a.re));
  return csub(c(Math.PI / 2), casin(a));
}
export function catan(a: Complex): Complex {
  if (a.im === 0) return c(Math.atan(a.re));
  // i/2 (log(1 - iz) - log(1 + iz))
  const iz = cmul(I, a);
  return cmul(c(0, 0.5), csub(clog(csub(c(1), iz)), clog(cadd(c(1), iz))));
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
/** Real gamma function (Lanczos), NaN at poles. */
export function gamma(x: number): number {
  if (x < 0.5) {
    const s = Math.sin(Math.PI * x);
    return s === 0 ? Number.NaN : Math.PI / (s * gamma(1 - x));
  }
  if (Number.isInteger(x) && x <= 171) {
    let r = 1;
    for (let k = 2; k < x; k++) r *= k;
    return r;
  }
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let k = 0; k < 8; k++) a += (LANCZOS[k] as number) / (z + k + 1);
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * a;
}
