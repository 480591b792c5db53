"""Builds ember._C with CMake for `pip install --no-build-isolation .` (see
pyproject.toml): the C++ library is linked statically into the extension, so
the installed package needs no libember.so beside it. EMBER_CMAKE_ARGS adds
configure arguments (after the defaults, so they win), e.g.
EMBER_CMAKE_ARGS="-DEMBER_CUDA=OFF" pip install --no-build-isolation ."""
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self):
        super().__init__("ember._C", sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                        "-DBUILD_SHARED_LIBS=OFF", "-DEMBER_TESTS=OFF", "-DEMBER_EXAMPLES=OFF", "-DEMBER_PYTHON=ON",
                        f"-DPython3_EXECUTABLE={sys.executable}",
                        *shlex.split(os.environ.get("EMBER_CMAKE_ARGS", ""))], check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "ember_python"], check=True)
        # The whole package as the build tree holds it: the pure-Python files and _C.
        package = pathlib.Path(self.build_lib) / "ember"
        shutil.rmtree(package, ignore_errors=True)
        shutil.copytree(build_dir / "python" / "ember", package)
        built = pathlib.Path(self.get_ext_fullpath(ext.name))
        built.parent.mkdir(parents=True, exist_ok=True)
        if not built.exists():
            shutil.copy2(next((build_dir / "python" / "ember").glob("_C*.so")), built)


setup(packages=[], ext_modules=[CMakeExtension()], cmdclass={"build_ext": CMakeBuild})
