"""The team server: members reach tracker with ssh, as themselves (issue 13, gitolite's pattern).

sshd asks `authorized_keys` which member a key belongs to; the key's forced command is
`tracker ssh-session`, which runs the app or one allowed command as that member
(`tracker.cli.ssh_session`); `setup` writes sshd's drop-in and the lookup helper.
"""
