#!/usr/bin/env bash
# build.sh: compile the shaders to SPIR-V and build bin/bicycle-vk.
#   ./build.sh          compile shaders/*.comp -> shaders/spv/*.spv, build bin/bicycle-vk
#   ./build.sh setup    install the system packages (as root) that build, tests and runs need
#   ./build.sh test     check the committed SPIR-V is in step with the sources, go vet,
#                       and go test ./... with the Khronos validation layer on
#   ./build.sh bench    run the kernel benchmarks (go test -bench) on the chosen device
set -euo pipefail
cd "$(dirname "$0")"

# Packages: the loader and its dev symlink (vulkan-go dlopens libvulkan.so),
# glslang for shaders, the validation layer for tests, vulkaninfo for humans,
# and lavapipe from Mesa 25 (bookworm-backports on Debian 12: Debian 12's own
# Mesa 22.3 lavapipe is an order of magnitude slower).
PKGS="libvulkan1 libvulkan-dev glslang-tools vulkan-validationlayers vulkan-tools"

have_pkgs() {
	command -v glslangValidator >/dev/null &&
		ldconfig -p 2>/dev/null | grep -q 'libvulkan.so ' &&
		ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 &&
		ls /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json >/dev/null 2>&1 &&
		mesa_ok
}

mesa_ok() { # lavapipe from Mesa 25 or newer where dpkg can tell
	command -v dpkg-query >/dev/null || return 0
	local v
	v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge 25
}

backports_source() {
	# Copy the machine's own Debian source with the suite changed.
	[ -e /etc/apt/sources.list.d/backports.sources ] && return 0
	grep -qs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/* && return 0
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		awk 'BEGIN{RS="";ORS="\n\n"} /Suites: bookworm[ \n]/ && !done {sub(/Suites:[^\n]*/,"Suites: bookworm-backports"); print; done=1}' \
			/etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/backports.sources
	else
		echo "deb http://deb.debian.org/debian bookworm-backports main" >/etc/apt/sources.list.d/backports.list
	fi
}

setup() {
	if have_pkgs; then return 0; fi
	if [ "$(id -u)" != 0 ]; then
		echo "build.sh: missing system packages. As root, run:" >&2
		echo "  ./build.sh setup" >&2
		echo "or by hand (Debian 12; enable bookworm-backports first, see README):" >&2
		echo "  apt-get update && apt-get install -y $PKGS && apt-get install -y -t bookworm-backports mesa-vulkan-drivers" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
		backports_source
		apt-get update
		apt-get install -y $PKGS
		apt-get install -y -t bookworm-backports mesa-vulkan-drivers
	else
		apt-get update
		apt-get install -y $PKGS mesa-vulkan-drivers
	fi
}

compile_shaders() { # $1: output folder
	local out=$1 src name env
	mkdir -p "$out"
	for src in shaders/*.comp; do
		name=$(basename "$src" .comp)
		# Vulkan 1.0 unless the shader asks for more (subgroup ops, pointers).
		env=$(sed -n 's,^// glslang-target: \(vulkan[0-9.]*\)$,\1,p' "$src")
		env=${env:-vulkan1.0}
		glslangValidator -V --target-env "$env" -Os -o "$out/$name.spv" "$src" >/dev/null ||
			{ glslangValidator -V --target-env "$env" -o /dev/null "$src"; exit 1; }
	done
}

build() {
	setup
	rm -f shaders/spv/*.spv
	compile_shaders shaders/spv
	mkdir -p bin
	go build -o bin/bicycle-vk ./cmd/bicycle-vk
}

check_spirv() {
	local tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	compile_shaders "$tmp"
	if ! diff -r -q "$tmp" shaders/spv >/dev/null; then
		diff -r -q "$tmp" shaders/spv >&2 || true
		echo "build.sh test: committed SPIR-V differs from shaders/*.comp; run ./build.sh and commit shaders/spv" >&2
		exit 1
	fi
}

case "${1:-build}" in
build) build ;;
setup) setup ;;
test)
	setup
	check_spirv
	go vet ./...
	# Validation on: any message from the layer fails the test that caused it.
	BICYCLE_VK_VALIDATION=1 go test -count=1 -timeout 20m ./...
	;;
bench)
	setup
	go test -run '^$' -bench "${2:-.}" -benchtime "${3:-3x}" ./graph/
	;;
*)
	echo "usage: ./build.sh [build|setup|test|bench]" >&2
	exit 2
	;;
esac
