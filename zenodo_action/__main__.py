from zenodo_action.cli import console

console()
