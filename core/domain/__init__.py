"""Domain rules that hold whichever way data arrives (chat dialog, import, web form)."""
