"""A regulator's or analyst's pages: closed rounds of the organisations in their workspaces, as aggregates only."""
