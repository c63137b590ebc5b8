r"""Newton's method, optionally damped (a second-order baseline; Nocedal & Wright 2006, ch. 3).

.. math::
    (H_t + \lambda I)\, d_t = g_t, \qquad \theta_t = \theta_{t-1} - \eta\, d_t

with :math:`H_t = \nabla^2 f(\theta_{t-1})`, :math:`g_t = \nabla f(\theta_{t-1})`; the 2x2
system is solved by Cramer's rule.  ``SPEC.hessian`` is set, so the driver writes the Hessian
at θ into the slots ``h_diag`` = (h_xx, h_yy) and ``h_off`` = (h_xy, h_xy) before each step;
the kernel stores the solved direction d in the slot ``step`` (θ moves by −η d).

A plain transcription: the Hessian is used as it is, indefinite or not.  Newton's step goes
to the stationary point of the local quadratic model whatever its kind, so on a saddle it is
attracted to the saddle (on f = x² − y², one step with η = 1 lands on it).  That is the lesson,
so the default variant does not modify indefinite Hessians; λ > 0 shifts every eigenvalue by λ
(λ above the most negative eigenvalue's size makes d a descent direction; a large λ tends to a
gradient step of size η/λ).

When no Newton step exists, i.e. det(H + λI) is 0 or not finite (H = 0 at the origin of the
monkey saddle, or a Hessian that overflowed), the step is d = (NaN, NaN): θ becomes NaN and the
driver marks the run diverged instead of moving it silently (an infinite det would otherwise
give d = 0, a run that stalls for no visible reason).  One exception: at an exact stationary
point, g = (0, 0), the step is d = 0 whatever H is (0 solves (H + λI) d = 0, and is its
minimum-norm solution), so a run started on a stationary point stays there, as with
gradient descent.
"""
import math

from surfaces._jit import jit

from .base import Hyperparam, OptimizerSpec, lr

DAMPING = Hyperparam("damping", 0.0, 0.0, 1e3, "linear",
                     "added to every eigenvalue of the Hessian (0: plain Newton; large: a short "
                     "gradient step)", symbol=r"\lambda")

SPEC = OptimizerSpec(
    id="newton",
    name="Newton",
    state=("h_diag", "h_off", "step"),
    hyperparams=(lr(1.0), DAMPING),
    latex={"paper": r"(H_t + \lambda I)\, d_t = g_t \qquad \theta_t = \theta_{t-1} - \eta\, d_t"},
    citation="Nocedal & Wright (2006), Numerical Optimization, 2nd ed., Springer, ch. 3 "
             "(Newton's method; adding a multiple of the identity to the Hessian: sec. 3.4)",
    reference={"paper": "plain transcription: θ ← θ − η (H + λI)⁻¹ g"},
    notes="Uses the exact Hessian as it is: at a saddle (indefinite Hessian) Newton is attracted "
          "to the saddle, not repelled; damping λ > 0 shifts the eigenvalues by λ. If "
          "det(H + λI) is 0 or not finite, no Newton step exists: the step is NaN and the run "
          "is marked diverged (e.g. the monkey saddle's origin, where H = 0). Exception: where "
          "the gradient is exactly (0, 0) the step is 0, so a run started on a stationary "
          "point stays there.",
    group="second-order",
    hessian=True,
)


@jit
def step(variant, t, hp, th, g, st, sc, j0, j1):
    for j in range(j0, j1):
        lr_ = hp[0, j]
        lam = hp[1, j]
        gx = g[0, j]
        gy = g[1, j]
        a = st[0, 0, j] + lam  # h_xx + λ
        c = st[0, 1, j] + lam  # h_yy + λ
        b = st[1, 0, j]  # h_xy
        det = a * c - b * b
        if gx == 0.0 and gy == 0.0:  # stationary point: d = 0 solves (H + λI) d = 0
            dx = 0.0
            dy = 0.0
        elif det != 0.0 and math.isfinite(det):  # Cramer's rule
            dx = (c * gx - b * gy) / det
            dy = (a * gy - b * gx) / det
        else:  # singular or non-finite H + λI: no Newton step; NaN marks the run diverged
            dx = math.nan
            dy = math.nan
        st[2, 0, j] = dx
        st[2, 1, j] = dy
        th[0, j] = th[0, j] - lr_ * dx
        th[1, j] = th[1, j] - lr_ * dy
