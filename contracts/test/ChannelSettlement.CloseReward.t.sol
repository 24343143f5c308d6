// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CloseFixture} from "./utils/CloseFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {ICooperativeClose} from "../src/interfaces/ICooperativeClose.sol";

/**
 * @notice Audit finding: a slash after a cooperative close shared the bond among the signers of the proposal the close
 * replaced, not among the close's. Every participant signs a close, so every other participant is a co-signer of the
 * final checkpoint; the stale signer bitmap left out whoever had not signed the replaced proposal (e.g. because it
 * was stale). Failed before (participant 3 got nothing, 1 and 2 half each); passes now.
 */
contract ChannelSettlementCloseRewardTest is CloseFixture {
    bytes32 internal id;
    uint256 internal constant BOND = 3 ether;

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        for (uint256 i = 0; i < 4; ++i) {
            _bond(id, i, BOND);
        }
    }

    function _slash0() internal {
        IChannelSettlement.BlockHeader memory a = _header(id, 0, 5, keccak256("A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 0, 5, keccak256("B"));
        settlement.slash(id, a, b);
    }

    function test_SlashAfterACloseOverAProposal_SharesAmongEveryCloseSigner() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, keccak256("v1"));
        bytes[] memory sigs = _signCp(id, v1, 3); // participants 0, 1, 2
        settlement.propose(id, v1, sigs);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        settlement.closeCooperatively(id, v2, _signClose(id, v2, 4), new ICooperativeClose.BalanceLeaf[](0));
        _slash0();
        for (uint256 i = 1; i < 4; ++i) {
            vm.assertEq(settlement.owed(wallets[i], address(0)), BOND / 3, "every other close signer shares");
        }
    }

    function test_SlashAfterACloseFromOpen_SharesAmongEveryOtherParticipant() public {
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        settlement.closeCooperatively(id, v2, _signClose(id, v2, 4), new ICooperativeClose.BalanceLeaf[](0));
        _slash0();
        for (uint256 i = 1; i < 4; ++i) {
            vm.assertEq(settlement.owed(wallets[i], address(0)), BOND / 3, "every other participant shares");
        }
    }
}
