// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @notice Test-side Merkle trees in the shape the channel core builds: leaves sorted ascending,
 * each pair hashed as keccak256(min ‖ max) (commutative, as OZ MerkleProof expects), and an odd last
 * node promoted unchanged to the next level.
 */
library Merkle {
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function sorted(bytes32[] memory leaves) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            bytes32 x = leaves[i];
            uint256 j = i;
            while (j > 0 && out[j - 1] > x) {
                out[j] = out[j - 1];
                --j;
            }
            out[j] = x;
        }
    }

    function _nextLevel(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < level.length; i += 2) {
            next[i / 2] = i + 1 < level.length ? hashPair(level[i], level[i + 1]) : level[i];
        }
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        require(leaves.length > 0, "Merkle: no leaves");
        bytes32[] memory level = sorted(leaves);
        while (level.length > 1) level = _nextLevel(level);
        return level[0];
    }

    function proof(bytes32[] memory leaves, bytes32 leaf) internal pure returns (bytes32[] memory) {
        bytes32[] memory level = sorted(leaves);
        for (uint256 i = 0; i < level.length; ++i) {
            if (level[i] == leaf) return nodeProof(leaves, 0, i);
        }
        revert("Merkle: leaf not in tree");
    }

    /// @dev Node `idx` on level `depth` (0 = sorted leaves), for attacks that pass a node as a leaf.
    function node(bytes32[] memory leaves, uint256 depth, uint256 idx) internal pure returns (bytes32) {
        bytes32[] memory level = sorted(leaves);
        for (uint256 d = 0; d < depth; ++d) {
            level = _nextLevel(level);
        }
        return level[idx];
    }

    /// @dev Proof for node `idx` on level `depth`, as if that node were a leaf.
    function nodeProof(bytes32[] memory leaves, uint256 depth, uint256 idx) internal pure returns (bytes32[] memory) {
        bytes32[] memory level = sorted(leaves);
        for (uint256 d = 0; d < depth; ++d) {
            level = _nextLevel(level);
        }
        bytes32[] memory path = new bytes32[](256);
        uint256 len;
        while (level.length > 1) {
            uint256 sibling = idx ^ 1;
            if (sibling < level.length) path[len++] = level[sibling];
            level = _nextLevel(level);
            idx /= 2;
        }
        assembly ("memory-safe") {
            mstore(path, len)
        }
        return path;
    }
}
