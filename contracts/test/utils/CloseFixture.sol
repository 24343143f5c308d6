// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./ChannelFixture.sol";
import {IChannelSettlement} from "../../src/interfaces/IChannelSettlement.sol";
import {ICooperativeClose} from "../../src/interfaces/ICooperativeClose.sol";

/// @notice Helpers for cooperative closes (issue #12): `Close` signatures and leaf lists in the core's order.
abstract contract CloseFixture is ChannelFixture {
    /// @dev `Close` signatures over `cp` by the current session keys of `signers`.
    function _signClose(bytes32 id, IChannelSettlement.Checkpoint memory cp, uint256[] memory signers)
        internal
        view
        returns (bytes[] memory sigs)
    {
        bytes32 digest = settlement.hashClose(id, cp.version, settlement.hashCheckpoint(id, cp));
        sigs = new bytes[](signers.length);
        for (uint256 i = 0; i < signers.length; ++i) {
            sigs[i] = _sign(sessionKeys[signers[i]], digest);
        }
    }

    /// @dev Every participant of an n-party channel signs, in index order.
    function _signClose(bytes32 id, IChannelSettlement.Checkpoint memory cp, uint256 n)
        internal
        view
        returns (bytes[] memory)
    {
        return _signClose(id, cp, _range(n));
    }

    /// @dev `bals` as close leaves, sorted by leaf hash ascending (the order the contract requires).
    function _closeLeaves(bytes32 id, uint64 version, Balance[] memory bals)
        internal
        pure
        returns (ICooperativeClose.BalanceLeaf[] memory out)
    {
        uint256 n = bals.length;
        bytes32[] memory hashes = _leaves(id, version, bals);
        out = new ICooperativeClose.BalanceLeaf[](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = ICooperativeClose.BalanceLeaf(bals[i].participant, bals[i].token, bals[i].amount);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && hashes[j - 1] > hashes[j]; --j) {
                (hashes[j - 1], hashes[j]) = (hashes[j], hashes[j - 1]);
                (out[j - 1], out[j]) = (out[j], out[j - 1]);
            }
        }
    }

    function _noLeaves() internal pure returns (ICooperativeClose.BalanceLeaf[] memory) {
        return new ICooperativeClose.BalanceLeaf[](0);
    }
}
