"""Rule families of the deck; each module has `build(deck, variant)`."""
