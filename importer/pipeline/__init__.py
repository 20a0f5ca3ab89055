"""The run: the stages tied together (check, then deliver), its options, and the Python API over them."""
