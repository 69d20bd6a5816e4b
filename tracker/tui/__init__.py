"""The Textual app: screens, widgets and styles; database work runs in workers."""
