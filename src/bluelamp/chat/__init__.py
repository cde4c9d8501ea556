"""Public channels: the live web chat (citizen widget, operator console) and the online report."""
