/* tanh on whole SIMD vectors (GCC/Clang vector extensions), for the ESN kernel's block of
 * states; 64-byte vectors (8 doubles, 16 floats) that -march=native maps onto AVX-512
 * registers and a plain build splits into narrower ones.
 *
 *     tanh x = sign(x) m / (m + 2),   m = expm1(2|x|)
 *
 * one formula over the whole range (no branches, one division): the error of m is scaled
 * by 2 / (m + 2) <= 1, so it stays relative for small |x| and vanishes for large |x|.
 * expm1(y) = 2^k (expm1(r) + 1) - 1 with r = y - k ln 2 (ln 2 split in two so that k ln 2
 * is exact, |r| <= ln(2) / 2) and expm1(r) = r + r^2 p(r), p the Taylor polynomial to
 * r^13 / 13! (double) or r^8 / 8! (float), whose truncation is below 1e-17 (6e-9) of r.
 * 2|x| is clamped to 40, where tanh is 1 in either precision; NaN stays NaN.
 * tests/rate/test_esn_batch.py checks the result against tanh in extended precision.
 */
#ifndef BIORNN_TANH_H
#define BIORNN_TANH_H

/* a build without AVX-512 passes these vectors in memory: no ABI concern, inline only */
#pragma GCC diagnostic ignored "-Wpsabi"

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
    const v8d y = BIORNN_SELECT(v8d, v8l, z > 20.0, (v8d){} + 40.0, z + z);
    const v8d kf = (y * 1.4426950408889634 + 0x1.8p52) - 0x1.8p52; /* rint(y / ln 2) */
    const v8d r = (y - kf * 6.93145751953125e-1) - kf * 1.42860682030941723212e-6;
    v8d p = r * (1.0 / 6227020800) + 1.0 / 479001600;
    p = p * r + 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    const v8d e = (r * r) * p + r; /* expm1(r) */
    const v8d two_k = (v8d)((__builtin_convertvector(kf, v8l) + 1023) << 52);
    const v8d m = two_k * e + (two_k - 1.0);
    const v8d t = (v8d)((v8l)(m / (m + 2.0)) | sign);
    return BIORNN_SELECT(v8d, v8l, x == x, t, x);
}

static inline v16f biornn_vtanh_f32(v16f x) {
    const v16i sign = (v16i)x & (int)0x80000000U;
    const v16f z = (v16f)((v16i)x ^ sign);
    const v16f y = BIORNN_SELECT(v16f, v16i, z > 20.0f, (v16f){} + 40.0f, z + z);
    const v16f kf = (y * 1.44269504088896341f + 0x1.8p23f) - 0x1.8p23f;
    const v16f r = (y - kf * 0.693359375f) + kf * 2.12194440e-4f;
    v16f p = r * (1.0f / 40320) + 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    const v16f e = (r * r) * p + r;
    const v16f two_k = (v16f)((__builtin_convertvector(kf, v16i) + 127) << 23);
    const v16f m = two_k * e + (two_k - 1.0f);
    const v16f t = (v16f)((v16i)(m / (m + 2.0f)) | sign);
    return BIORNN_SELECT(v16f, v16i, x == x, t, x);
}

/* p[0..n) = tanh(p[0..n)), in place; the tail of fewer than a vector goes through a
 * padded vector */
#define BIORNN_TANH_BLOCK(NAME, REAL, VEC, VEC_U, VW, VTANH)                                  \
    static inline void NAME(REAL *p, long n) {                                                \
        long j = 0;                                                                           \
        for (; j + (VW) <= n; j += (VW)) *(VEC_U *)(p + j) = VTANH(*(VEC_U *)(p + j));        \
        if (j < n) {                                                                          \
            VEC v = {0};                                                                      \
            for (long i = 0; i < n - j && i < (VW); i++) v[i] = p[j + i];                     \
            v = VTANH(v);                                                                     \
            for (long i = 0; i < n - j && i < (VW); i++) p[j + i] = v[i];                     \
        }                                                                                     \
    }

BIORNN_TANH_BLOCK(biornn_tanh_f64, double, v8d, v8d_u, 8, biornn_vtanh_f64)
BIORNN_TANH_BLOCK(biornn_tanh_f32, float, v16f, v16f_u, 16, biornn_vtanh_f32)

#endif
