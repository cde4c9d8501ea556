"""Search across people, contacts, incidents, crimes, chats and references, within each role's access rules."""
