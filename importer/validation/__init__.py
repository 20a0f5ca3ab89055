"""Validation: a mapped row to a Callbell contact payload, or to every problem with it, grouped for the reader."""
