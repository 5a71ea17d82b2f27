"""The audio pipeline: find ffmpeg, recognise files, probe them, render streaming copies.

Nothing here knows about models or storage; tracks/processing.py ties it to a Track.
"""
