"""DICOM header de-identification: the PS3.15 Basic Application Level Confidentiality Profile,
with dates shifted (Retain Longitudinal Temporal Information, Modified Dates) and UIDs
remapped consistently. Pixel data are never touched; files that may carry burned-in text are
flagged for pixel review.

The attribute table is PS3.15 Table E.1-1 (2026c) as packaged by ``dicom-anonymizer``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as table
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from radgen.errors import RadgenError
from radgen.privacy.keystore import KeyStore

# Where the table allows several actions, the one that keeps the file valid and safe.
ACTIONS: dict[int, str] = {}
MASKED: list[tuple[int, int, int, int, str]] = []  # repeating groups (curves, overlays)
for _tags, _action in (
    (table.X_TAGS, "X"),
    (table.Z_TAGS, "Z"),
    (table.D_TAGS, "D"),
    (table.U_TAGS, "U"),
    (table.X_Z_TAGS, "Z"),
    (table.X_D_TAGS, "D"),
    (table.Z_D_TAGS, "D"),
    (table.X_Z_D_TAGS, "D"),
    (table.X_Z_U_STAR_TAGS, "U"),
):
    for _entry in _tags:
        if len(_entry) == 4:
            MASKED.append((*_entry, _action))
        else:
            ACTIONS[int(Tag(*_entry))] = _action
REMOVE_TAGS = frozenset(t for t, a in ACTIONS.items() if a == "X")


def action_for(tag: int) -> str | None:
    """The profile's action for a tag, repeating groups (50xx, 60xx) included."""
    if tag in ACTIONS:
        return ACTIONS[tag]
    group, element = tag >> 16, tag & 0xFFFF
    for g, e, g_mask, e_mask, action in MASKED:
        if group & g_mask == g and element & e_mask == e:
            return action
    return None


TEXT_BEARING_MODALITIES = frozenset({"SC", "OT", "US", "ES", "XC", "DOC", "SR", "KO", "PR"})
DUMMY = {"PN": "ANONYMOUS", "LO": "ANONYMOUS", "SH": "ANON", "CS": "ANON", "UI": None}


@dataclass
class DicomDeidReport:
    """What happened to one file."""

    source: Path
    output: Path
    removed: int = 0
    replaced: int = 0
    uids_remapped: int = 0
    dates_shifted: int = 0
    private_removed: int = 0
    pixel_review: list[str] = field(default_factory=list)


class DicomDeidentifier:
    """Applies the profile; UIDs and date shifts derive from the key store's secret, so every
    file of a study (and every study of a patient) is remapped the same way."""

    def __init__(self, keys: KeyStore, keep_private: frozenset[int] = frozenset()) -> None:
        self.keys = keys
        self.keep_private = keep_private

    def new_uid(self, uid: str) -> str:
        return f"2.25.{int.from_bytes(self.keys.digest('uid', uid)[:16], 'big')}"

    def shift_days(self, ds: Dataset) -> int:
        scope = str(ds.get("PatientID", "")) or str(ds.get("StudyInstanceUID", "corpus"))
        return -(30 + self.keys.seed("dicom-date-shift", scope) % 336)

    def _shift(self, value: str, vr: str, days: int) -> str:
        try:
            if vr == "DA":
                d = dt.datetime.strptime(value[:8], "%Y%m%d") + dt.timedelta(days=days)
                return d.strftime("%Y%m%d")
            d = dt.datetime.strptime(value[:8], "%Y%m%d") + dt.timedelta(days=days)
            return d.strftime("%Y%m%d") + value[8:]
        except ValueError:
            return ""

    def _apply(self, ds: Dataset, report: DicomDeidReport, days: int) -> None:
        for elem in list(ds):
            tag = int(elem.tag)
            if elem.tag.is_private:
                if elem.tag.group not in self.keep_private:
                    del ds[elem.tag]
                    report.private_removed += 1
                continue
            action = action_for(tag)
            if elem.VR == "SQ":
                if action == "X":
                    del ds[elem.tag]
                    report.removed += 1
                    continue
                for item in elem.value:
                    self._apply(item, report, days)
                continue
            if action is None:
                continue
            if elem.VR in ("DA", "DT") and elem.value and action != "X":
                elem.value = self._shift(str(elem.value), elem.VR, days)
                report.dates_shifted += 1
            elif action == "X":
                del ds[elem.tag]
                report.removed += 1
            elif action == "U" or elem.VR == "UI":
                if elem.value:
                    values = elem.value if elem.VM > 1 else [elem.value]
                    mapped = [self.new_uid(str(v)) for v in values]
                    elem.value = mapped if elem.VM > 1 else mapped[0]
                    report.uids_remapped += 1
            elif action == "Z":
                elem.value = "" if elem.VR not in ("US", "SS", "UL", "SL", "FL", "FD") else None
                report.replaced += 1
            else:
                dummy = DUMMY.get(elem.VR, "")
                elem.value = (
                    dummy if elem.VR in DUMMY else ("" if isinstance(elem.value, str) else None)
                )
                report.replaced += 1

    @staticmethod
    def pixel_review_reasons(ds: Dataset) -> list[str]:
        """Why a file may carry burned-in identifiers in its pixels."""
        reasons = []
        if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
            reasons.append("BurnedInAnnotation is YES")
        modality = str(ds.get("Modality", ""))
        if modality in TEXT_BEARING_MODALITIES:
            reasons.append(f"modality {modality} often carries burned-in text")
        if "SECONDARY" in [str(v).upper() for v in ds.get("ImageType", [])]:
            reasons.append("secondary capture (ImageType SECONDARY)")
        return reasons

    def deidentify_file(
        self, src: str | Path, dst: str | Path, overwrite: bool = False
    ) -> DicomDeidReport:
        src, dst = Path(src), Path(dst)
        if dst.exists() and not overwrite:
            raise RadgenError("already exists; pass --overwrite to replace it", dst)
        try:
            ds = pydicom.dcmread(str(src))
        except Exception as exc:
            raise RadgenError(f"not a readable DICOM file ({exc})", src) from exc
        report = DicomDeidReport(src, dst, pixel_review=self.pixel_review_reasons(ds))
        days = self.shift_days(ds)
        self._apply(ds, report, days)
        meta = ds.file_meta
        if "MediaStorageSOPInstanceUID" in meta:
            meta.MediaStorageSOPInstanceUID = ds.get("SOPInstanceUID", self.new_uid(str(src)))
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = (
            "radgen: DICOM PS3.15 Basic Application Confidentiality Profile; dates shifted;"
            " UIDs remapped; private tags removed"
        )
        dst.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(str(dst))
        return report
