"""Reading files: CSV and workbooks (and Python records) as a `Table` of text rows, the way a person sees them."""
