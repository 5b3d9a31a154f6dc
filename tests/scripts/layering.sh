#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Layering of the core (docs/CONTRIBUTING.md, "Layers"): each layer may
# include the p2mkit headers of its own and lower layers only, in the order
#   memtype < mtrr < pt < p2m < policy < iommu < physmap < layout
# (base.h is everyone's).  A core source (src/<layer>/) or public header
# (include/p2mkit/) that includes a higher layer's header, a p2mkit header
# the map below does not know, or a quoted header outside its own
# directory is a violation.  The checker is first run on a small tree
# with planted violations, to prove it finds them.
set -u
src=$1
source "$src/tests/scripts/lib.bash"
layers=(memtype mtrr pt p2m policy iommu physmap layout)

# rank NAME: the layer index of header or directory NAME ("pt_fmt.h" is
# pt's), -1 for base.h, nothing for an unknown name.
rank() {
	local name=${1%.h} i
	[[ $name == base ]] && { echo -1; return; }
	for i in "${!layers[@]}"; do
		if [[ $name == "${layers[$i]}" || $name == "${layers[$i]}"_* ]]; then
			echo "$i"
			return
		fi
	done
}

# violations ROOT: one line per forbidden include under ROOT.
violations() {
	local root=$1 f own inc r line
	while IFS= read -r f; do
		case $f in
		*/include/p2mkit/*) own=$(rank "$(basename "$f")") ;;
		*) own=$(rank "$(basename "$(dirname "$f")")") ;;
		esac
		[[ -z $own ]] && { echo "${f#"$root"/}: not in any layer"; continue; }
		while IFS= read -r line; do
			if [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<p2mkit/([^>]+)\> ]]; then
				inc=${BASH_REMATCH[1]}
				r=$(rank "$inc")
				if [[ -z $r ]]; then
					echo "${f#"$root"/}: includes <p2mkit/$inc>, which no layer owns"
				elif ((r > own)); then
					echo "${f#"$root"/}: ${layers[$own]:-base} includes ${layers[$r]} (<p2mkit/$inc>)"
				fi
			elif [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]*/[^\"]*)\" ]]; then
				echo "${f#"$root"/}: includes \"${BASH_REMATCH[1]}\" outside its directory"
			fi
		done <"$f"
	done < <(
		for l in "${layers[@]}"; do
			[[ -d $root/src/$l ]] && find "$root/src/$l" -name '*.[ch]'
		done
		find "$root/include/p2mkit" -name '*.h'
	)
}

# The checker finds the planted violations, and only those.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/pt" "$tmp/src/p2m" "$tmp/include/p2mkit"
printf '#include <p2mkit/base.h>\n' >"$tmp/include/p2mkit/pt.h"
printf '#include <p2mkit/pt.h>\n' >"$tmp/include/p2mkit/p2m.h"
printf '#include <p2mkit/pt.h>\n#include "entry.h"\n' >"$tmp/src/pt/ok.c"
printf '#include <p2mkit/pt.h>\n  #include <p2mkit/p2m.h>\n' >"$tmp/src/pt/bad.c"
printf '#include <p2mkit/pt.h>\n' >"$tmp/src/p2m/ok.c"
printf '#include "../pt/entry.h"\n' >"$tmp/src/p2m/peek.c"
planted=$(violations "$tmp" | sort)
want='src/p2m/peek.c: includes "../pt/entry.h" outside its directory
src/pt/bad.c: pt includes p2m (<p2mkit/p2m.h>)'
check "the planted violations are found, and only they (got: $planted)" \
	test "$planted" = "$want"

found=$(violations "$src")
check "core layers include only their own and lower layers${found:+:
$found}" test -z "$found"
finish
