/* The time loop of the echo state network's reservoir (biornn.rate.reservoir_loop).
 *
 * The same update as the numpy loop, on the same arrays, for a chunk of T steps:
 *     x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + d(t))      (x(t) = tanh(...) when a = 1)
 * computed as x + a (tanh(p) - x), the order of the numpy path.  The drive d (inputs,
 * feedback, bias, noise) is projected by the caller for the whole chunk at once, except in
 * the batched CSR kernel, which projects the inputs itself.
 *
 * Dense W ("rows" layout): states are rows, x (B, N); one BLAS gemm per step,
 * x(t-1) Wᵀ (gemv for B = 1), reading x(t-1) straight from the output rows.
 * Sparse W (CSR), one sequence: a scalar sum per row in four partial sums.
 * Sparse W (CSR), a batch ("columns" layout): the working states are (N, B), so each
 * stored weight multiplies a contiguous row of B states: a tile of up to four SIMD vectors
 * of the batch is summed in registers (two sets of sums, for even and odd weights, so the
 * adds do not wait on each other), starting from the bias and the projected inputs of the
 * step (inputs (T, D, B), weights M (N, D)).  W is cut into blocks of columns whose states
 * stay in cache, the blocks' sums added in turn.  tanh and the leak then run over the
 * step's whole (N, B) block, which is transposed into the (B, ..., N) output rows 8 x 8 at
 * a time, in registers.
 *
 * tanh: the vector tanh of _tanh.h in double precision; libmvec's tanhf in single
 * precision when it is linked, else _tanh.h's (the faster of the two on the machine the
 * kernels were tuned on, in each precision).
 *
 * Output: out[b * ldo + t * N + i] is unit i of sequence b after step t.  The state x is
 * read at the start and holds the last state at the end (so chunks chain).
 */
#include <math.h>
#include <string.h>

#include "_blas.h"
#include "_tanh.h"

__attribute__((noinline)) static void tanh_f64(double *p, long n) { biornn_tanh_f64(p, n); }
#ifdef BIORNN_LIBMVEC
__attribute__((noinline)) static void tanh_f32(float *p, long n) {
    for (long j = 0; j < n; j++) p[j] = tanhf(p[j]);
}
#else
__attribute__((noinline)) static void tanh_f32(float *p, long n) { biornn_tanh_f32(p, n); }
#endif

/* GCC vectorises the one-sequence loop's four scalar sums as in-order reductions,
 * unpacking a vector at every weight (twice as slow in float); the plain scalar code is
 * the faster.  tanh stays vectorised: it is its own function, not inlined. */
#if defined(__GNUC__) && !defined(__clang__)
#define SCALAR_SUMS __attribute__((optimize("no-tree-vectorize", "no-tree-slp-vectorize")))
#else
#define SCALAR_SUMS
#endif

/* in place, for the tests: the tanh every kernel below applies */
void esn_tanh_f64(long n, double *p) { tanh_f64(p, n); }
void esn_tanh_f32(long n, float *p) { tanh_f32(p, n); }

/* row i of the step's pre-activation for a tile of NV vectors of the batch, from column
 * b0: acc = b_i + sum_d M_id u_d (+ noise) + sum_k w_k x_{j_k}, the weights' sum in two
 * sets (even and odd k) added at the end.  With W cut into blocks of columns (c > 0: a
 * later block), the tile starts from the sums the earlier blocks left in acc. */
#define CSR_TILE(REAL, VEC, VEC_U, VW, NV)                                                    \
    for (; b0 + (NV) * (VW) <= B; b0 += (NV) * (VW)) {                                       \
        VEC s0[NV], s1[NV];                                                                   \
        for (int v = 0; v < (NV); v++) {                                                      \
            if (c > 0) {                                                                      \
                s0[v] = *(const VEC_U *)(acc + b0 + v * (VW));                                \
            } else {                                                                          \
                s0[v] = (VEC){0} + bias[i];                                                   \
                for (int e = 0; e < D; e++)                                                   \
                    s0[v] += Mi[e] * *(const VEC_U *)(u + (long)e * B + b0 + v * (VW));       \
                if (nz) s0[v] += *(const VEC_U *)(nz + b0 + v * (VW));                        \
            }                                                                                 \
            s1[v] = (VEC){0};                                                                 \
        }                                                                                     \
        int k = k0;                                                                           \
        for (; k + 2 <= k1; k += 2) {                                                         \
            const REAL w0 = data[k], w1 = data[k + 1];                                        \
            const REAL *x0 = xp + offsets[k] + b0;                                  \
            const REAL *x1 = xp + offsets[k + 1] + b0;                              \
            for (int v = 0; v < (NV); v++) {                                                  \
                s0[v] += w0 * *(const VEC_U *)(x0 + v * (VW));                                \
                s1[v] += w1 * *(const VEC_U *)(x1 + v * (VW));                                \
            }                                                                                 \
        }                                                                                     \
        if (k < k1) {                                                                         \
            const REAL w0 = data[k], *x0 = xp + offsets[k] + b0;                    \
            for (int v = 0; v < (NV); v++) s0[v] += w0 * *(const VEC_U *)(x0 + v * (VW));    \
        }                                                                                     \
        for (int v = 0; v < (NV); v++) *(VEC_U *)(acc + b0 + v * (VW)) = s0[v] + s1[v];       \
    }

typedef float v8f_u __attribute__((vector_size(32), aligned(4)));

/* 8 x 8 transpose in registers: rows r[0..7] (8 lanes each) become columns, in three rounds
 * of shuffles (pairs of lanes, pairs of pairs, halves) */
#define SHUF(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#define TRANSPOSE8(V, r)                                                                      \
    do {                                                                                      \
        V s_[8], u_[8];                                                                       \
        for (int q = 0; q < 8; q += 2) {                                                      \
            s_[q] = SHUF(r[q], r[q + 1], 0, 8, 2, 10, 4, 12, 6, 14);                          \
            s_[q + 1] = SHUF(r[q], r[q + 1], 1, 9, 3, 11, 5, 13, 7, 15);                      \
        }                                                                                     \
        for (int q = 0; q < 8; q += 4)                                                        \
            for (int h = 0; h < 2; h++) {                                                     \
                u_[q + h] = SHUF(s_[q + h], s_[q + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);         \
                u_[q + h + 2] = SHUF(s_[q + h], s_[q + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);   \
            }                                                                                 \
        for (int h = 0; h < 4; h++) {                                                         \
            r[h] = SHUF(u_[h], u_[h + 4], 0, 1, 2, 3, 8, 9, 10, 11);                          \
            r[h + 4] = SHUF(u_[h], u_[h + 4], 4, 5, 6, 7, 12, 13, 14, 15);                    \
        }                                                                                     \
    } while (0)

/* out[b * ldo + i] = x[i * B + b] for i < N, b < B: 8 x 8 blocks through registers, the
 * edges element by element */
#define TRANSPOSE_OUT(REAL, V8)                                                               \
    {                                                                                         \
        int i0 = 0;                                                                           \
        for (; i0 + 8 <= N; i0 += 8) {                                                        \
            int c0 = 0;                                                                       \
            for (; c0 + 8 <= B; c0 += 8) {                                                    \
                V8 r[8];                                                                      \
                for (int q = 0; q < 8; q++) r[q] = *(const V8 *)(xn + (long)(i0 + q) * B + c0);\
                TRANSPOSE8(V8, r);                                                            \
                for (int q = 0; q < 8; q++) *(V8 *)(o + (c0 + q) * ldo + i0) = r[q];          \
            }                                                                                 \
            for (int b = c0; b < B; b++)                                                      \
                for (int i = i0; i < i0 + 8; i++) o[b * ldo + i] = xn[(long)i * B + b];       \
        }                                                                                     \
        for (int b = 0; b < B; b++)                                                           \
            for (int i = i0; i < N; i++) o[b * ldo + i] = xn[(long)i * B + b];                \
    }

#define ESN_KERNELS(REAL, SUFFIX, VEC, VEC_U, VW, V8, GEMM, GEMV)                                 \
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
            for (long j = 0; j < bn; j++) pre[j] += d[j];                                     \
            tanh_##SUFFIX(pre, bn);                                                           \
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
    /* One sequence. x (N) in/out; drive (T, N); work 2 N.  CSR W: indptr, indices        \
     * (int32), data. */                                                                      \
    SCALAR_SUMS void esn_csr_##SUFFIX(int T, int N, const int *indptr, const int *indices,               \
                          const REAL *data, REAL *x, const REAL *drive, REAL leak, REAL *out, \
                          REAL *work) {                                                       \
        REAL *bufs[2] = {work, work + N};                                                     \
        const REAL *xp = x;                                                                   \
        for (int t = 0; t < T; t++) {                                                         \
            REAL *xn = bufs[t & 1];                                                           \
            const REAL *d = drive + (long)t * N;                                              \
            for (int i = 0; i < N; i++) { /* four partial sums: adds not waiting on adds */ \
                REAL s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                          \
                int k = indptr[i];                                                            \
                const int k1 = indptr[i + 1];                                                 \
                for (; k + 4 <= k1; k += 4) {                                                 \
                    s0 += data[k] * xp[indices[k]];                                           \
                    s1 += data[k + 1] * xp[indices[k + 1]];                                   \
                    s2 += data[k + 2] * xp[indices[k + 2]];                                   \
                    s3 += data[k + 3] * xp[indices[k + 3]];                                   \
                }                                                                             \
                for (; k < k1; k++) s0 += data[k] * xp[indices[k]];                           \
                xn[i] = ((s0 + s1) + (s2 + s3)) + d[i];                                       \
            }                                                                                 \
            tanh_##SUFFIX(xn, N);                                                             \
            if (leak != 1)                                                                    \
                for (int i = 0; i < N; i++) xn[i] = xp[i] + leak * (xn[i] - xp[i]);           \
            memcpy(out + (long)t * N, xn, sizeof(REAL) * N);                                  \
            xp = xn;                                                                          \
        }                                                                                     \
        if (T > 0) memcpy(x, xp, sizeof(REAL) * N);                                           \
    }                                                                                         \
                                                                                              \
    /* A batch. x (N, B) in/out; inputs u (T, D, B) with their weights M (N, D) and bias      \
     * (N); noise (T, N, B) or NULL; work 2 N B.  The inputs are projected here, row by row,  \
     * into the registers the sums of W x start from.  CSR W in nblocks blocks of columns:    \
     * block c's row i is offsets/data[bptr[c (N + 1) + i] .. bptr[c (N + 1) + i + 1]] (one   \
     * block: bptr is indptr), so the states a block reads stay in cache; offsets are the     \
     * columns j times B (where state row j starts: no multiplication per weight). */         \
    void esn_csr_batch_##SUFFIX(int T, int B, int N, int nblocks, const int *bptr,           \
                                const int *offsets, const REAL *data, REAL *x, int D,        \
                                const REAL *inputs, const REAL *M, const REAL *bias,         \
                                const REAL *noise, REAL leak, REAL *out, long ldo,           \
                                REAL *work) {                                                 \
        const long nb = (long)N * B;                                                          \
        REAL *bufs[2] = {work, work + nb};                                                    \
        const REAL *xp = x;                                                                   \
        for (int t = 0; t < T; t++) {                                                         \
            REAL *xn = bufs[t & 1];                                                           \
            const REAL *u = inputs + (long)t * D * B;                                         \
            REAL *o = out + (long)t * N;                                                      \
            for (int c = 0; c < nblocks; c++) {                                               \
                const int *ptr = bptr + (long)c * (N + 1);                                    \
                for (int i = 0; i < N; i++) {                                                 \
                    REAL *acc = xn + (long)i * B;                                             \
                    const REAL *Mi = M + (long)i * D;                                         \
                    const REAL *nz = noise ? noise + (long)t * nb + (long)i * B : 0;          \
                    const int k0 = ptr[i], k1 = ptr[i + 1];                                   \
                    int b0 = 0;                                                               \
                    CSR_TILE(REAL, VEC, VEC_U, VW, 4)                                         \
                    CSR_TILE(REAL, VEC, VEC_U, VW, 1)                                         \
                    for (int b = b0; b < B; b++) { /* the last columns, under a vector */     \
                        REAL s = c > 0 ? acc[b] : bias[i];                                    \
                        if (c == 0) {                                                         \
                            for (int e = 0; e < D; e++) s += Mi[e] * u[(long)e * B + b];      \
                            if (nz) s += nz[b];                                               \
                        }                                                                     \
                        for (int k = k0; k < k1; k++)                                         \
                            s += data[k] * xp[offsets[k] + b];                                \
                        acc[b] = s;                                                           \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
            tanh_##SUFFIX(xn, nb);                                                            \
            if (leak != 1)                                                                    \
                for (long j = 0; j < nb; j++) xn[j] = xp[j] + leak * (xn[j] - xp[j]);         \
            TRANSPOSE_OUT(REAL, V8)                                                             \
            xp = xn;                                                                          \
        }                                                                                     \
        if (T > 0) memcpy(x, xp, sizeof(REAL) * nb);                                          \
    }

ESN_KERNELS(float, f32, v16f, v16f_u, 16, v8f_u, sgemm, sgemv)
ESN_KERNELS(double, f64, v8d, v8d_u, 8, v8d_u, dgemm, dgemv)
