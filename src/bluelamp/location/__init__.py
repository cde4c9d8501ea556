"""Where: grid references, UPRNs, the gazetteer, unit positions (AVL), duplicate contacts, hotspots."""
