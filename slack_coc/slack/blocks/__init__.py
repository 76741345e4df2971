"""Pure builders for message and App Home blocks: data in, Block Kit out."""
