"""Bridges to other frameworks (optional extras, imported on first use): PyTorch."""
