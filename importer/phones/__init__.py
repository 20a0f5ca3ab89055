"""Phone numbers to WhatsApp identifiers (Google's libphonenumber, with a fast path for the common spellings)."""
