"""Language workflows on radiology reports."""
