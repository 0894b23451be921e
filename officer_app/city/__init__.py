"""Dasbor kota: the city-wide figures of Biro Pemerintahan's data team (role `analyst`),
read live from the server (`server/figures`); see docs/roles.md."""
