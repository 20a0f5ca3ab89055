"""The Callbell account: its tags, users, custom fields, teams and channels, from the account file and the API."""
