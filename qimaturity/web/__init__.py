"""The web application: respondents answer online, rounds are kept in a database, each role sees only its own.

An optional extra (``pip install 'qimaturity[web]'``) built on Django. It sits at the top of the layers beside the
command line: it uses the same rubric model, scorer and report renderer, and nothing below it imports it.

Apps, one job each:

- :mod:`qimaturity.web.organisations`: workspaces, organisations, memberships (who has which role where) and the
  scoping functions through which every query that returns objects goes.
- :mod:`qimaturity.web.rounds`: assessment rounds, invitations (one respondent's link) and the answers saved
  through them; a round becomes the same :class:`~qimaturity.answers.model.Assessment` the command line reads.
- :mod:`qimaturity.web.audit`: the log of every admin action.
"""
