"""The CA sheet, the lettres de mission and the batch printing of documents."""
