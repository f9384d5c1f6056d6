from mentordocs.cli import cli

cli(prog_name="mentordocs")
