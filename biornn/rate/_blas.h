/* Shared by biornn's C kernels (_lstm_kernel.c, _esn_kernel.c): the Fortran BLAS
 * signatures of the gemm/gemv pointers taken from scipy (scipy.linalg.cython_blas, via
 * biornn.rate._compiled.blas_pointer), and vectorised tanh from glibc's libmvec when
 * BIORNN_LIBMVEC is defined (the compile flags that find it). */
#ifndef BIORNN_BLAS_H
#define BIORNN_BLAS_H

#ifdef BIORNN_LIBMVEC
__attribute__((simd("notinbranch"))) float tanhf(float);
__attribute__((simd("notinbranch"))) double tanh(double);
#endif

typedef void (*sgemm_t)(char *, char *, int *, int *, int *, float *, float *, int *,
                        float *, int *, float *, float *, int *);
typedef void (*dgemm_t)(char *, char *, int *, int *, int *, double *, double *, int *,
                        double *, int *, double *, double *, int *);
typedef void (*sgemv_t)(char *, int *, int *, float *, float *, int *, float *, int *, float *,
                        float *, int *);
typedef void (*dgemv_t)(char *, int *, int *, double *, double *, int *, double *, int *,
                        double *, double *, int *);

#endif
