"""Finding people, and their current family, among the families a user may see."""
