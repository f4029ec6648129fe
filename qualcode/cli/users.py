"""``qualcode user add | token | list``."""

from __future__ import annotations

import sys

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext
from qualcode.services import users as user_service


@cli.group()
def user() -> None:
    """Accounts and personal API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--display-name", default="", help="Name shown in the interface and in quotes.")
@click.option("--admin", is_flag=True, help="Administrator: owner rights on every project.")
@click.pass_obj
def add_cmd(
    ctx: CliContext, name: str, password_stdin: bool, display_name: str, admin: bool
) -> None:
    """Create an account (asks for the password unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with ctx.sessionmaker.begin() as session:
        u = user_service.create_user(
            session, name, password=password, display_name=display_name, is_admin=admin
        )
        click.echo(f"created user {u.username}" + (" (administrator)" if admin else ""))


@user.command("token")
@click.argument("name")
@click.option("--label", default="cli", help="A name for the token.")
@click.pass_obj
def token_cmd(ctx: CliContext, name: str, label: str) -> None:
    """Make a personal API token for NAME (printed once; send it as 'Authorization: Bearer')."""
    with ctx.sessionmaker.begin() as session:
        u = user_service.require_user(session, name)
        _, token = user_service.create_token(session, u, label)
    click.echo(token)


@user.command("list")
@click.pass_obj
def list_cmd(ctx: CliContext) -> None:
    """List accounts."""
    with ctx.sessionmaker() as session:
        for u in user_service.list_users(session):
            flags = " admin" if u.is_admin else ""
            flags += "" if u.active else " inactive"
            click.echo(f"{u.username}\t{u.display_name}{flags}")
