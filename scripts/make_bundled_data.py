"""Make the small real volumes bundled in the package, from ../shared/data (run once).

- ``assets/mni152/``: the MNI ICBM152 2009c nonlinear symmetric T1, T2 and brain mask,
  averaged over 2x2x2 blocks (2 mm voxels, 96x114x96), stored as uint8 with a scale factor.
  MNI's notice allows copying with the notice (``assets/mni152/LICENSE``).
- ``assets/ct/``: a 128x128x16 crop of the first pyradiomics chest CT around its nodule, in
  Hounsfield units, with the nodule mask (BSD-3, ``assets/ct/LICENSE``).

These let the dataset registry, the I/O tests and the translation examples run on a machine
without ``../shared``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "src" / "radgen" / "assets"


def block_mean(vol: np.ndarray, f: int = 2) -> np.ndarray:
    s = [d - d % f for d in vol.shape]
    v = vol[: s[0], : s[1], : s[2]]
    return v.reshape(s[0] // f, f, s[1] // f, f, s[2] // f, f).mean((1, 3, 5))


def as_uint8(vol: np.ndarray, affine: np.ndarray) -> nib.Nifti1Image:
    hi = float(vol.max())
    q = np.clip(np.round(vol / hi * 255), 0, 255).astype(np.uint8)
    img = nib.Nifti1Image(q, affine)
    img.header.set_slope_inter(hi / 255, 0.0)
    img.header["descrip"] = b"MNI ICBM152 2009c sym, 2 mm, radgen bundle"
    return img


def main(shared: Path) -> None:
    mni = shared / "mri_mni152_t1t2"
    out = ASSETS / "mni152"
    out.mkdir(parents=True, exist_ok=True)
    t1 = nib.load(mni / "t1.nii.gz")
    affine = t1.affine.copy()
    affine[:3, :3] *= 2
    affine[:3, 3] += affine[:3, :3] @ np.full(3, 0.25)  # block centre: +0.5 mm per axis
    for name in ("t1", "t2"):
        vol = block_mean(nib.load(mni / f"{name}.nii.gz").get_fdata(dtype=np.float32))
        nib.save(as_uint8(np.maximum(vol, 0), affine), out / f"{name}.nii.gz")
    mask = block_mean(nib.load(mni / "brain_mask.nii.gz").get_fdata(dtype=np.float32)) >= 0.5
    nib.save(nib.Nifti1Image(mask.astype(np.uint8), affine), out / "brain_mask.nii.gz")

    ct_out = ASSETS / "ct"
    ct_out.mkdir(parents=True, exist_ok=True)
    x0, y0, z0 = 154, 296, 24
    sl = (slice(x0, x0 + 128), slice(y0, y0 + 128), slice(z0, z0 + 16))
    for part, dtype in (("image", np.int16), ("label", np.uint8)):
        img = nib.load(shared / "ct_lung" / f"lung1_{part}.nii.gz")
        affine = img.affine.copy()
        affine[:3, 3] = (img.affine @ np.array([x0, y0, z0, 1.0]))[:3]
        data = np.asarray(img.dataobj)[sl].astype(dtype)
        nib.save(nib.Nifti1Image(data, affine), ct_out / f"lung1_crop_{part}.nii.gz")
    for p in sorted(out.iterdir()) + sorted(ct_out.iterdir()):
        print(p.relative_to(ROOT), p.stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
