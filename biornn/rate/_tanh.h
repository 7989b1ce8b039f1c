/* tanh on whole SIMD vectors (GCC/Clang vector extensions), for the ESN kernel's block of
 * states; 64-byte vectors (8 doubles, 16 floats) that -march=native maps onto AVX-512
 * registers and a plain build splits into narrower ones.
 *
 * Both branches are computed on every lane and one is kept (no branches), sharing one
 * division (the rational approximation's P/Q and the large branch's 2/(s+1)):
 *     |x| < 0.625:  tanh x = x + x z P(z) / Q(z),  z = x^2
 *     |x| >= 0.625: tanh x = 1 - 2 / (exp(2|x|) + 1)  (sign of x restored)
 * with the coefficients of S. L. Moshier's Cephes library (tanh.c, tanhf.c; Moshier 1989,
 * "Methods and Programs for Mathematical Functions").  exp(y) = 2^k exp(r), r = y - k ln 2
 * (ln 2 split in two so k ln 2 is exact), exp(r) by its Taylor polynomial (degree 12 for
 * double, 7 for float: truncation below a unit in the last place of the result, where the
 * error of exp is scaled down by 2 s / (s + 1)^2 < 0.2).  2|x| is clamped to 40, where tanh
 * is 1 in either precision.  NaN stays NaN.  tests/rate/test_esn_batch.py checks the
 * result against numpy's tanh over the whole range.
 */
#ifndef BIORNN_TANH_H
#define BIORNN_TANH_H

typedef double v8d __attribute__((vector_size(64)));
typedef double v8d_u __attribute__((vector_size(64), aligned(8)));  /* unaligned access */
typedef long long v8l __attribute__((vector_size(64)));
typedef float v16f __attribute__((vector_size(64)));
typedef float v16f_u __attribute__((vector_size(64), aligned(4)));
typedef int v16i __attribute__((vector_size(64)));

/* keep a where mask m is set, else b (masks are all-ones lanes, as comparisons give) */
#define BIORNN_SELECT(VEC, IVEC, m, a, b) ((VEC)(((IVEC)(a) & (m)) | ((IVEC)(b) & ~(m))))


static inline v8d biornn_vtanh_f64(v8d x) {
    const v8l sign = (v8l)x & (long long)0x8000000000000000ULL;
    const v8d z = (v8d)((v8l)x ^ sign); /* |x| */
    const v8l small = z < 0.625;
    /* exp(y), y = 2|x| clamped to [0, 40] */
    const v8l big = z > 20.0;
    const v8d y = BIORNN_SELECT(v8d, v8l, big, (v8d){} + 40.0, z + z);
    const v8d kf = (y * 1.4426950408889634 + 0x1.8p52) - 0x1.8p52; /* rint(y / ln 2) */
    const v8d r = (y - kf * 6.93145751953125e-1) - kf * 1.42860682030941723212e-6;
    v8d p = r * (1.0 / 479001600) + 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    const v8l k = __builtin_convertvector(kf, v8l);
    const v8d s = p * (v8d)((k + 1023) << 52);
    /* Cephes P(z) / Q(z) on small lanes, 2 / (s + 1) on the others: one division */
    const v8d w = z * z;
    const v8d P = (-9.64399179425052238628e-1 * w - 9.92877231001918586564e1) * w
                  - 1.61468768441708447952e3;
    const v8d Q = ((w + 1.12811678491632931402e2) * w + 2.23548839060100448583e3) * w
                  + 4.84406305325125486048e3;
    const v8d q = BIORNN_SELECT(v8d, v8l, small, P, (v8d){} + 2.0)
                  / BIORNN_SELECT(v8d, v8l, small, Q, s + 1.0);
    const v8d t = BIORNN_SELECT(v8d, v8l, small, z + z * w * q, 1.0 - q);
    const v8d res = (v8d)((v8l)t | sign);
    return BIORNN_SELECT(v8d, v8l, x == x, res, x);
}

static inline v16f biornn_vtanh_f32(v16f x) {
    const v16i sign = (v16i)x & (int)0x80000000U;
    const v16f z = (v16f)((v16i)x ^ sign);
    const v16i small = z < 0.625f;
    const v16i big = z > 20.0f;
    const v16f y = BIORNN_SELECT(v16f, v16i, big, (v16f){} + 40.0f, z + z);
    const v16f kf = (y * 1.44269504088896341f + 0x1.8p23f) - 0x1.8p23f;
    const v16f r = (y - kf * 0.693359375f) + kf * 2.12194440e-4f;
    v16f p = r * (1.0f / 5040) + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const v16i k = __builtin_convertvector(kf, v16i);
    const v16f s = p * (v16f)((k + 127) << 23);
    const v16f w = z * z;
    const v16f P = ((((-5.70498872745e-3f * w + 2.06390887954e-2f) * w - 5.37397155531e-2f) * w
                     + 1.33314422036e-1f) * w - 3.33332819422e-1f);
    const v16f q = 2.0f / (s + 1.0f);
    const v16f t = BIORNN_SELECT(v16f, v16i, small, z + z * w * P, 1.0f - q);
    const v16f res = (v16f)((v16i)t | sign);
    return BIORNN_SELECT(v16f, v16i, x == x, res, x);
}

/* p[0..n) = tanh(p[0..n)), in place; the tail of fewer than a vector goes through a
 * padded vector */
static inline void biornn_tanh_f64(double *p, long n) {
    long j = 0;
    for (; j + 8 <= n; j += 8) *(v8d_u *)(p + j) = biornn_vtanh_f64(*(v8d_u *)(p + j));
    if (j < n) {
        v8d v = {0};
        for (long i = j; i < n; i++) v[i - j] = p[i];
        v = biornn_vtanh_f64(v);
        for (long i = j; i < n; i++) p[i] = v[i - j];
    }
}

static inline void biornn_tanh_f32(float *p, long n) {
    long j = 0;
    for (; j + 16 <= n; j += 16) *(v16f_u *)(p + j) = biornn_vtanh_f32(*(v16f_u *)(p + j));
    if (j < n) {
        v16f v = {0};
        for (long i = j; i < n; i++) v[i - j] = p[i];
        v = biornn_vtanh_f32(v);
        for (long i = j; i < n; i++) p[i] = v[i - j];
    }
}

#endif
