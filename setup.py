"""Ship templates/ (at the repository root) inside the package as wpcpd/templates/.

pyproject.toml holds everything else; package discovery cannot map a folder outside the
package, so this adds the one mapping. wpcpd.reflect.programmes finds the folder in either
place: inside the installed package, or at the root of a source checkout.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["wpcpd*"]), "wpcpd.templates", "wpcpd.templates.programmes"],
    package_dir={"wpcpd.templates": "templates"},
)
