"""OneWindow (一窗通办): a government service center's approval platform."""
