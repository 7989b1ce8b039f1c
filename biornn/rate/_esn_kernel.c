/* The time loop of the echo state network's reservoir (biornn.rate.reservoir_loop).
 *
 * The same update as the numpy loop, on the same arrays, for a chunk of T steps:
 *     x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + d(t))      (x(t) = tanh(...) when a = 1)
 * computed as x + a (tanh(p) - x), the order of the numpy path.  The drive d (inputs,
 * feedback, bias, noise) is projected by the caller for the whole chunk at once.
 *
 * Dense W ("rows" layout): states are rows, x (B, N); one BLAS gemm per step,
 * x(t-1) Wᵀ (gemv for B = 1), reading x(t-1) straight from the output rows.
 * Sparse W (CSR, "columns" layout): the working states are (N, B), so each stored weight
 * multiplies a contiguous row of B states (a vectorised axpy, B summed in registers); the
 * drive is read and the new states written in the (B, ..., N) layout of the inputs and
 * outputs (a step's rows stay in L1), so nothing is transposed.
 *
 * Output: out[b * ldo + t * N + i] is unit i of sequence b after step t.  The state x is
 * read at the start and holds the last state at the end (so chunks chain).
 */
#include <math.h>
#include <string.h>

#include "_blas.h"

/* columns of the state block summed together, in registers (16 doubles: two AVX-512 registers) */
#define TILE 16

#define ESN_KERNELS(REAL, SUFFIX, TANH, GEMM, GEMV)                                           \
    /* pre (B x N, row-major) = X (B rows, row stride ldx) @ WT;  W x(t-1) for every row.   */ \
    static void rows_product_##SUFFIX(GEMM##_t gemm, GEMV##_t gemv, int B, int N,            \
                                      const REAL *WT, const REAL *X, int ldx, REAL *pre) {   \
        char no = 'N';                                                                        \
        REAL one = 1, zero = 0;                                                               \
        int inc = 1;                                                                          \
        if (B == 1)                                                                           \
            gemv(&no, &N, &N, &one, (REAL *)WT, &N, (REAL *)X, &inc, &zero, pre, &inc);       \
        else                                                                                  \
            gemm(&no, &no, &N, &B, &N, &one, (REAL *)WT, &N, (REAL *)X, &ldx, &zero, pre,     \
                 &N);                                                                         \
    }                                                                                         \
                                                                                              \
    /* x (B, N) in/out; drive (T, B, N); pre (B, N) work.  ldo < 2^31 (checked by caller). */ \
    void esn_dense_##SUFFIX(int T, int B, int N, const REAL *WT, REAL *x, const REAL *drive, \
                            REAL leak, REAL *out, long ldo, REAL *pre, GEMM##_t gemm,        \
                            GEMV##_t gemv) {                                                  \
        const long bn = (long)B * N;                                                          \
        for (int t = 0; t < T; t++) {                                                         \
            const REAL *xp = t == 0 ? x : out + (long)(t - 1) * N;                           \
            const long ldp = t == 0 ? N : ldo;                                                \
            rows_product_##SUFFIX(gemm, gemv, B, N, WT, xp, (int)ldp, pre);                  \
            const REAL *d = drive + (long)t * bn;                                             \
            for (long j = 0; j < bn; j++) pre[j] = TANH(pre[j] + d[j]);                       \
            for (int b = 0; b < B; b++) {                                                     \
                REAL *o = out + b * ldo + (long)t * N;                                        \
                const REAL *p = pre + (long)b * N, *xb = xp + b * ldp;                        \
                if (leak == 1)                                                                \
                    memcpy(o, p, sizeof(REAL) * N);                                           \
                else                                                                          \
                    for (int i = 0; i < N; i++) o[i] = xb[i] + leak * (p[i] - xb[i]);         \
            }                                                                                 \
        }                                                                                     \
        if (T > 0)                                                                            \
            for (int b = 0; b < B; b++)                                                       \
                memcpy(x + (long)b * N, out + b * ldo + (long)(T - 1) * N, sizeof(REAL) * N); \
    }                                                                                         \
                                                                                              \
    /* x (N, B) in/out; drive (T, B, N); work 2 N B.  CSR W: indptr, indices (int32), data.  */ \
    void esn_csr_##SUFFIX(int T, int B, int N, const int *indptr, const int *indices,        \
                          const REAL *data, REAL *x, const REAL *drive, REAL leak, REAL *out, \
                          long ldo, REAL *work) {                                             \
        const long nb = (long)N * B;                                                          \
        REAL *bufs[2] = {work, work + nb};                                                    \
        const REAL *xp = x;                                                                   \
        for (int t = 0; t < T; t++) {                                                         \
            REAL *xn = bufs[t & 1];                                                           \
            const REAL *d = drive + (long)t * nb;                                             \
            REAL *o = out + (long)t * N;                                                      \
            for (int i = 0; i < N; i++) {                                                     \
                REAL *acc = xn + (long)i * B;                                                 \
                if (B == 1) { /* four partial sums: the adds do not wait on each other */   \
                    REAL s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                      \
                    int k = indptr[i];                                                        \
                    const int end = indptr[i + 1];                                            \
                    for (; k + 4 <= end; k += 4) {                                            \
                        s0 += data[k] * xp[indices[k]];                                       \
                        s1 += data[k + 1] * xp[indices[k + 1]];                               \
                        s2 += data[k + 2] * xp[indices[k + 2]];                               \
                        s3 += data[k + 3] * xp[indices[k + 3]];                               \
                    }                                                                         \
                    for (; k < end; k++) s0 += data[k] * xp[indices[k]];                      \
                    acc[0] = ((s0 + s1) + (s2 + s3)) + d[i];                                  \
                } else {                                                                      \
                    int b0 = 0;                                                               \
                    for (; b0 + TILE <= B; b0 += TILE) { /* TILE sums held in registers */    \
                        REAL a[TILE];                                                         \
                        for (int b = 0; b < TILE; b++) a[b] = d[(long)(b0 + b) * N + i];        \
                        for (int k = indptr[i]; k < indptr[i + 1]; k++) {                     \
                            const REAL w = data[k], *xj = xp + (long)indices[k] * B + b0;     \
                            for (int b = 0; b < TILE; b++) a[b] += w * xj[b];                 \
                        }                                                                     \
                        for (int b = 0; b < TILE; b++) acc[b0 + b] = a[b];                    \
                    }                                                                         \
                    if (b0 < B) {                                                             \
                        for (int b = b0; b < B; b++) acc[b] = d[(long)b * N + i];             \
                        for (int k = indptr[i]; k < indptr[i + 1]; k++) {                     \
                            const REAL w = data[k], *xj = xp + (long)indices[k] * B;          \
                            for (int b = b0; b < B; b++) acc[b] += w * xj[b];                 \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
            for (long j = 0; j < nb; j++) xn[j] = TANH(xn[j]);                                \
            if (leak != 1)                                                                    \
                for (long j = 0; j < nb; j++) xn[j] = xp[j] + leak * (xn[j] - xp[j]);         \
            if (B == 1)                                                                       \
                memcpy(o, xn, sizeof(REAL) * N);                                              \
            else                                                                              \
                for (int i = 0; i < N; i++)                                                   \
                    for (int b = 0; b < B; b++) o[b * ldo + i] = xn[(long)i * B + b];         \
            xp = xn;                                                                          \
        }                                                                                     \
        if (T > 0) memcpy(x, xp, sizeof(REAL) * nb);                                          \
    }

ESN_KERNELS(float, f32, tanhf, sgemm, sgemv)
ESN_KERNELS(double, f64, tanh, dgemm, dgemv)
