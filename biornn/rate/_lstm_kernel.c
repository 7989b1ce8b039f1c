/* The time loops of the LSTM's forward pass and of its backward recursion (biornn.rate.lstm).
 *
 * The same equations as the numpy path of lstm.py, on the same arrays (row-major, time-major
 * (T, B, ...) blocks, gate order i, f, g, o), so that either path's cache feeds either
 * backward.  One matrix product per step for all four gates goes to the BLAS that scipy
 * exposes (its gemm, and gemv for batch 1, are passed in as function pointers); the
 * element-wise work of a step runs in plain loops that the compiler vectorises, tanh included
 * where the C library has vector variants (glibc's libmvec; declared below when
 * BIORNN_LIBMVEC is defined).
 *
 * Forward, with the rows of W_x, W_h and b of the sigmoid gates halved by the caller so that
 * sigma(a) = (1 + tanh(a/2)) / 2 needs one tanh for all four gates:
 *     A_t += h_{t-1} W_h^T;  A_t <- [sigma; sigma; tanh; sigma](A_t)  (gates, kept)
 *     c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
 * Backward (dH_out = dL/dh_t from the readout):
 *     dh_t = dH_out_t + W_h^T da_{t+1},   dc_t = dh_t o (1 - tanh^2 c_t) + dc_{t+1} f_{t+1}
 *     da_t = [dc g i(1-i); dc c_{t-1} f(1-f); dc i (1-g^2); dh tanh(c_t) o(1-o)]
 */
#include <math.h>

#include "_blas.h"

/* C (rows x cols, row-major) = X (rows x inner) @ Y (inner x cols) + beta * C, through a
 * column-major gemm on the transposes, C^T = Y^T X^T; a single row (batch 1) through gemv. */
#define ROW_MAJOR_GEMM(GEMM, GEMV, REAL)                                                      \
    static void rm_##GEMM(GEMM##_t gemm, GEMV##_t gemv, int rows, int cols, int inner,       \
                          const REAL *X, const REAL *Y, REAL beta, REAL *C) {                \
        char no = 'N';                                                                        \
        REAL one = 1;                                                                         \
        int inc = 1;                                                                          \
        if (rows == 1)                                                                        \
            gemv(&no, &cols, &inner, &one, (REAL *)Y, &cols, (REAL *)X, &inc, &beta, C,       \
                 &inc);                                                                       \
        else                                                                                  \
            gemm(&no, &no, &cols, &rows, &inner, &one, (REAL *)Y, &cols, (REAL *)X, &inner,   \
                 &beta, C, &cols);                                                            \
    }

ROW_MAJOR_GEMM(sgemm, sgemv, float)
ROW_MAJOR_GEMM(dgemm, dgemv, double)

#define LSTM_KERNELS(REAL, SUFFIX, TANH, GEMM, GEMV)                                          \
    void lstm_forward_##SUFFIX(int T, int B, int n, const REAL *WhT, REAL *A, REAL *H,        \
                               REAL *C, REAL *tanhC, GEMM##_t gemm,  \
                               GEMV##_t gemv) {                         \
        const long m = 4L * n, bn = (long)B * n, bm = (long)B * m;                            \
        for (long j = 0; j < bn; j++) { H[j] = 0; C[j] = 0; }                                 \
        for (int t = 0; t < T; t++) {                                                         \
            REAL *a = A + t * bm, *tc = tanhC + t * bn;                                       \
            const REAL *hp = H + t * bn, *cp = C + t * bn;                                    \
            REAL *h = H + (t + 1) * bn, *c = C + (t + 1) * bn;                                \
            rm_##GEMM(gemm, gemv, B, (int)m, n, hp, WhT, 1, a);                         \
            for (long j = 0; j < bm; j++) a[j] = TANH(a[j]);                                  \
            for (int b = 0; b < B; b++) {                                                     \
                REAL *ab = a + b * m;                                                         \
                for (long j = 0; j < 2 * n; j++) ab[j] = (REAL)0.5 * ab[j] + (REAL)0.5;       \
                for (long j = 3 * n; j < m; j++) ab[j] = (REAL)0.5 * ab[j] + (REAL)0.5;       \
                const REAL *i = ab, *f = ab + n, *g = ab + 2 * n;                             \
                const REAL *cpb = cp + b * n;                                                 \
                REAL *cb = c + b * n;                                                         \
                for (int j = 0; j < n; j++) cb[j] = f[j] * cpb[j] + i[j] * g[j];              \
            }                                                                                 \
            for (long j = 0; j < bn; j++) tc[j] = TANH(c[j]);                                 \
            for (int b = 0; b < B; b++) {                                                     \
                const REAL *o = a + b * m + 3 * n, *tcb = tc + b * n;                         \
                REAL *hb = h + b * n;                                                         \
                for (int j = 0; j < n; j++) hb[j] = o[j] * tcb[j];                            \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
                                                                                              \
    /* work holds 2 B n numbers (the error carried back through h and through c). */          \
    void lstm_backward_##SUFFIX(int T, int B, int n, const REAL *Wh, const REAL *G,           \
                                const REAL *C, const REAL *tanhC, const REAL *dH_out,         \
                                REAL *dA, REAL *dH, REAL *work, GEMM##_t gemm,\
                                GEMV##_t gemv) {              \
        const long m = 4L * n, bn = (long)B * n, bm = (long)B * m;                            \
        REAL *carry_h = work, *dc = work + bn;                                                \
        for (long j = 0; j < 2 * bn; j++) work[j] = 0;                                        \
        for (int t = T - 1; t >= 0; t--) {                                                    \
            const REAL *gt = G + t * bm, *cprev = C + t * bn, *tc = tanhC + t * bn;           \
            const REAL *dho = dH_out + t * bn;                                                \
            REAL *dh = dH + t * bn, *da = dA + t * bm;                                        \
            for (long j = 0; j < bn; j++) dh[j] = dho[j] + carry_h[j];                        \
            for (int b = 0; b < B; b++) {                                                     \
                const REAL *i = gt + b * m, *f = i + n, *g = i + 2 * n, *o = i + 3 * n;       \
                const REAL *tcb = tc + b * n, *cpb = cprev + b * n, *dhb = dh + b * n;        \
                REAL *dcb = dc + b * n, *dai = da + b * m, *daf = dai + n, *dag = dai + 2 * n; \
                REAL *dao = dai + 3 * n;                                                      \
                for (int j = 0; j < n; j++) {                                                 \
                    REAL d = dcb[j] + dhb[j] * o[j] * (1 - tcb[j] * tcb[j]);                  \
                    dai[j] = d * g[j] * i[j] * (1 - i[j]);                                    \
                    daf[j] = d * cpb[j] * f[j] * (1 - f[j]);                                  \
                    dag[j] = d * i[j] * (1 - g[j] * g[j]);                                    \
                    dao[j] = dhb[j] * tcb[j] * o[j] * (1 - o[j]);                             \
                    dcb[j] = d * f[j];                                                        \
                }                                                                             \
            }                                                                                 \
            if (t > 0) rm_##GEMM(gemm, gemv, B, n, (int)m, da, Wh, 0, carry_h);         \
        }                                                                                     \
    }

LSTM_KERNELS(float, f32, tanhf, sgemm, sgemv)
LSTM_KERNELS(double, f64, tanh, dgemm, dgemv)
