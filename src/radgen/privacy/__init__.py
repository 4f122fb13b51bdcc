"""Privacy: report and DICOM de-identification, and the gate that keeps PHI off remote models."""
