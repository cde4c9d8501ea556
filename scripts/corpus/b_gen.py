def generate(make):
    return []
