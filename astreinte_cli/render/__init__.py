"""What a terminal shows: the views of `now`, `show`, `check`, `diff` and `report`, as Rich
renderables or plain text."""
