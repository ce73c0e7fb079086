# SPDX-License-Identifier: Apache-2.0
"""Builds the extension rubric._rubric with CMake for `pip install .` (setuptools backend).

RUBRIC_BUILD_DIR=DIR takes the extension already built in an existing CMake tree
(`cmake --build DIR --target _rubric`) instead of configuring and building one in pip's
temporary build folder (which compiles Rubric from scratch: minutes on a small machine).
"""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        reuse = os.environ.get("RUBRIC_BUILD_DIR")
        if reuse:
            build_dir = os.path.abspath(reuse)
        else:
            build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
            lock = os.environ.get("RUBRIC_BUILD_LOCK")
            locked = ["flock", lock] if lock else []
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython_EXECUTABLE={sys.executable}", "-DBUILD_TESTING=OFF", "-DRUBRIC_PYTHON=ON"])
            subprocess.check_call(locked + ["cmake", "--build", build_dir, "--target", "_rubric"])
        suffix = os.path.splitext(target)[1]
        built = [p for p in glob.glob(os.path.join(build_dir, "python", "rubric", "_rubric*" + suffix))
                 if os.path.basename(p) == os.path.basename(target)]
        if not built:
            sys.exit(f"error: no {os.path.basename(target)} in {build_dir}/python/rubric: build the `_rubric` target "
                     f"for this Python ({sys.version.split()[0]}) first")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    package_dir={"": "python"},
    packages=["rubric"],
    package_data={"rubric": ["py.typed", "__init__.pyi", "dask.pyi"]},
    ext_modules=[CMakeExtension("rubric._rubric")],
    cmdclass={"build_ext": CMakeBuild},
    # setuptools' own scratch space inside the (ignored) CMake build folder, not beside it.
    options={"build": {"build_base": os.path.join("build", "pip")}, "egg_info": {"egg_base": os.path.join("build", "pip")}},
    zip_safe=False,
)
