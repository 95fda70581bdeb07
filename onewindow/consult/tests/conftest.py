from onewindow.consult.tests.world import world

__all__ = ["world"]
