/* Plain C baseline: Adam on Rosenbrock (a=1, b=100), the same updates as
   optimizers.trajectory("adam", "rosenbrock", start, steps, lr=...), storing every step.
   Built by benchmarks/bench_trajectory.py with gcc -O3. Prints ns/step and the final point. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 100000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, a = 1.0, b = 100.0;
    double *path = malloc(sizeof(double) * 2 * (steps + 1));
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        double x[2] = {-1.5, 2.0}, m[2] = {0, 0}, v[2] = {0, 0}, g[2];
        double b1t = 1.0, b2t = 1.0;
        path[0] = x[0]; path[1] = x[1];
        for (long t = 1; t <= steps; t++) {
            double u = a - x[0], w = x[1] - x[0] * x[0];
            g[0] = -2.0 * u - 4.0 * b * x[0] * w;
            g[1] = 2.0 * b * w;
            b1t *= b1; b2t *= b2;
            double step_size = lr / (1.0 - b1t), sqrt_bc2 = sqrt(1.0 - b2t);
            for (int c = 0; c < 2; c++) {
                m[c] = b1 * m[c] + (1.0 - b1) * g[c];
                v[c] = b2 * v[c] + (1.0 - b2) * g[c] * g[c];
                x[c] = x[c] - step_size * (m[c] / (sqrt(v[c]) / sqrt_bc2 + eps));
            }
            if (!(fabs(x[0]) < 1e7 && fabs(x[1]) < 1e7)) break; /* divergence check, as ours */
            path[2 * t] = x[0]; path[2 * t + 1] = x[1];
        }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    printf("%.3f %.17g %.17g\n", best / steps * 1e9, path[2 * steps], path[2 * steps + 1]);
    free(path);
    return 0;
}
