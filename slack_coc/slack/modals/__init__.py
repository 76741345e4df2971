"""Pure builders for modal views: data in, Block Kit view out."""
