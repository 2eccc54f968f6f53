from microscout.cli import cli

cli(prog_name="microscout")
