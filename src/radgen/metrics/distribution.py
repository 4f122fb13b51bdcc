"""Distribution metrics on features: FID, unbiased KID, and precision/recall/density/coverage."""

from __future__ import annotations

import numpy as np

from radgen.errors import RadgenError


def _check(a: np.ndarray, b: np.ndarray, minimum: int = 2) -> None:
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise RadgenError(f"feature arrays must be (N, D) with equal D, got {a.shape}, {b.shape}")
    if min(len(a), len(b)) < minimum:
        raise RadgenError(f"need at least {minimum} samples per set, got {len(a)} and {len(b)}")


def _trace_sqrt_product(a: np.ndarray, b: np.ndarray) -> float:
    """Tr((S_a S_b)^1/2) for the covariances of a and b, exactly and without complex noise.

    With x = centred a / sqrt(n-1) (so S_a = x^T x) and y likewise, the eigenvalues of S_a S_b
    are the squared singular values of x y^T. When the feature dimension is the smaller
    side, sqrt(S_a) S_b sqrt(S_a) (symmetric) gives the same eigenvalues at d x d cost.
    """
    x = (a - a.mean(0)) / np.sqrt(len(a) - 1)
    y = (b - b.mean(0)) / np.sqrt(len(b) - 1)
    if a.shape[1] <= min(len(a), len(b)):
        w, v = np.linalg.eigh(x.T @ x)
        root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        eig = np.linalg.eigvalsh(root @ (y.T @ y) @ root)
        return float(np.sqrt(np.clip(eig, 0, None)).sum())
    return float(np.linalg.svd(x @ y.T, compute_uv=False).sum())


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FID: ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^1/2) of Gaussians fitted to features.

    Exact also when there are fewer samples than feature dimensions (2048-d Inception features
    of a few hundred images), where a general matrix square root is slow and unstable.
    """
    _check(a, b)
    a, b = a.astype(np.float64), b.astype(np.float64)
    diff = a.mean(0) - b.mean(0)
    var_a = float(((a - a.mean(0)) ** 2).sum() / (len(a) - 1))
    var_b = float(((b - b.mean(0)) ** 2).sum() / (len(b) - 1))
    return float(diff @ diff + var_a + var_b - 2 * _trace_sqrt_product(a, b))


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """KID's kernel k(x, y) = (x.y / d + 1)^3."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with the polynomial kernel (the diagonal terms left out)."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    term_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    term_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(term_x + term_y - 2 * kxy.mean())


def kernel_inception_distance(
    a: np.ndarray, b: np.ndarray, subsets: int = 50, subset_size: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """KID (Binkowski et al. 2018): mean and std of unbiased MMD^2 over random subsets.

    Subsets hold at most half of the smaller set, so they differ from each other and the
    standard deviation measures something (subsets as large as the sets are all the same set,
    and their spread is rounding noise). The estimator is unbiased at any subset size.
    """
    _check(a, b, minimum=4)
    size = max(2, min(subset_size, len(a) // 2, len(b) // 2))
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(
            a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)]
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between every row of a and every row of b."""
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None] - 2 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def knn_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point to its k-th nearest neighbour in the same set."""
    d = pairwise_distances(x, x)
    return np.partition(d, k, axis=1)[:, k]  # index 0 is the point itself


def prdc(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """Precision, recall, density and coverage (Naeem et al. 2020) on k-NN manifolds.

    Precision: fakes inside the real manifold. Recall: reals inside the fake manifold.
    Density: how many real neighbourhoods hold each fake (robust to outliers).
    Coverage: reals whose neighbourhood holds at least one fake.
    """
    _check(real, fake, minimum=k + 1)
    real_r, fake_r = knn_radii(real, k), knn_radii(fake, k)
    d = pairwise_distances(real, fake)  # (n_real, n_fake)
    inside_real = d <= real_r[:, None]
    return {
        "precision": float(inside_real.any(axis=0).mean()),
        "recall": float((d <= fake_r[None, :]).any(axis=1).mean()),
        "density": float(inside_real.sum(axis=0).mean() / k),
        "coverage": float((d.min(axis=1) <= real_r).mean()),
    }


def nearest(query: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index and distance of each query's nearest reference point."""
    d = pairwise_distances(query, reference)
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(query)), idx]
